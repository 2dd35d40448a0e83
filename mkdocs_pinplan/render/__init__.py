"""Pin specs → image bytes."""
