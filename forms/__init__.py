"""WTForms classes, one module per subject. Nothing here imports from reviewapp."""
