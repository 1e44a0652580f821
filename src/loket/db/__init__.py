"""Database helpers below every app: they import nothing of Loket, so any app may use them."""
