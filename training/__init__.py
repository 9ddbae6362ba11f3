"""Training pipeline for the shipped default model (not part of the extension build)."""
