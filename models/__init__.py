"""Data package: the shipped model files (safetensors weights + JSON model card per modality)."""
