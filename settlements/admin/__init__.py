"""The settlements admin, one module per area (statements, runs, money); importing the
package registers them all."""

from settlements.admin import money, runs, statements

__all__ = ["money", "runs", "statements"]
