"""NeuroSync Lip Sync: audio-driven ARKit shape-key animation for Blender."""
