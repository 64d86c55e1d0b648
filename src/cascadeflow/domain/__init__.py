"""Pure domain: value objects, rules and errors. Standard library only."""
