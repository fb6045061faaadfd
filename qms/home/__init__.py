"""Each person's home: their work, most urgent first, gathered from every domain."""
