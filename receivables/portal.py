"""The brand portal's receivables and balance-confirmation views."""
