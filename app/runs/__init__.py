"""Training runs: the store that keeps them (SQLite by default), the trainer that runs them one after
another in a TensorFlow worker, and what the API says of them."""
