"""The brand portal's obligations pages."""
