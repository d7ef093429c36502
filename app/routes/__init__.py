"""HTTP routes: validate, call the core (or workers), shape the response. No shape logic here."""
