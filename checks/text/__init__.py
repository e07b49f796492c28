"""Words: the wording in every language (and its catalogs), the asset files it comes from, and text from outside made
safe to show."""
