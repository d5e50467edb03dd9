"""What a student studies: choosing questions, and the session that asks and grades them."""
