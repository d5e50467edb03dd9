"""The torch room: builds a spec as torch modules and checks the arithmetic against them. The only torch importer besides train."""
