"""The settlements admin, one module per area (statements, runs, money); importing the
package registers them all."""

import settlements.admin.workbench  # noqa: F401  (registers the home page and its export)
from settlements.admin import invoices, money, runs, statements

__all__ = ["invoices", "money", "runs", "statements"]
