"""One module per resource kind; each class declares its properties, `check()` and `apply()`."""
