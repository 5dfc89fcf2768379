"""The viewer's panels, one module each; every panel takes the ViewerState in its constructor."""
