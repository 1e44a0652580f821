"""Front doors: the host names one deployment answers, each with its own brand (#18)."""
