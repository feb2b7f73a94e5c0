"""The rasa-sdk action server: actions, forms, database models and queries."""
