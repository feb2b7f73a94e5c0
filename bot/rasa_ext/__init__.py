"""What the Rasa server loads by name: NLU components and process settings."""
