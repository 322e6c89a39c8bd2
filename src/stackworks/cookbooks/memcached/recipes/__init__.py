"""Recipes of this cookbook: one module per recipe, each with `recipe(r)`."""
