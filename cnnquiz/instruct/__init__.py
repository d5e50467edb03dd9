"""For instructors: banks exported to Moodle (GIFT, Moodle XML) and Anki, and paper exams with a
variant per student, made and graded. Everything starts from :mod:`cnnquiz.instruct.source`."""
