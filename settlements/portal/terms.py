"""An agreement's terms as short sentences for the brand (the dashboard's agreement cards)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.portal import date_text
from common.templatetags.portal import money_text, percent_text
from contracts.models import Agreement, Party
from core.periods import renewal_objection_deadline
from settlements import selectors
from settlements.portal.labels import PARTY_LABELS


def agreement_terms(agreement: Agreement) -> list[str]:
    """The agreement's terms as short sentences for the brand, in the active language."""
    terms = agreement.terms
    sentences = [
        _("Runs from %(start)s to %(end)s (signed on %(signed)s).")
        % {
            "start": date_text(agreement.starts_on),
            "end": date_text(agreement.effective_ends_on),
            "signed": date_text(agreement.signed_on),
        }
    ]
    if agreement.kind == Agreement.Kind.REVENUE_SHARE and terms is not None:
        agency = terms.agency_ratio
        sentences += [
            _(
                "The agency receives %(agency)s of each month's profit and you keep "
                "%(brand)s. Profit is sales less factory cost, tax and logistics; a month "
                "with a loss owes nothing and carries the loss into the next month."
            )
            % {"agency": percent_text(agency), "brand": percent_text(Decimal(1) - agency)},
            _(
                "The statement is issued by day %(issue)s of the following month; you "
                "confirm or dispute it within %(receipt)s working days (silence counts as "
                "confirmation)."
            )
            % {"issue": terms.issue_by_day, "receipt": terms.receipt_working_days},
            _(
                "Payment is due on day %(day)s of the following month, or %(days)s working "
                "days after your confirmation if that is later; payments are expected from "
                "day %(start)s."
            )
            % {
                "day": terms.payment_day,
                "days": terms.payment_working_days,
                "start": terms.payment_window_start_day,
            },
        ]
        if terms.setup_fee > 0:
            sentences.append(
                _("Setup fee %(fee)s, due %(days)s days after signing.")
                % {"fee": money_text(terms.setup_fee), "days": terms.setup_fee_due_days}
            )
    elif agreement.kind == Agreement.Kind.B2B_COMMISSION and terms is not None:
        schedule = selectors.schedule_terms(agreement)  # the monthly cycle B2B follows
        sentences += [
            _(
                "Monthly service fee %(fee)s, plus a commission of (distributor price − "
                "factory price) × quantity on every shipment to distributors."
            )
            % {"fee": money_text(terms.monthly_service_fee)},
            _(
                "Monthly minimums: %(distributors)s new distributors, %(cartons)s cartons "
                "shipped and sales of %(sales)s. If one is missed, that month's service fee "
                "is withheld unless you agree to pay it."
            )
            % {
                "distributors": terms.min_distributors,
                "cartons": terms.min_cartons,
                "sales": money_text(terms.min_sales_amount),
            },
            _(
                "From month %(month)s of operation, web targets apply: your brand keyword "
                "on the first page of Baidu and Google, at least %(visitors)s unique "
                "visitors a month, %(inquiries)s inquiries a day and a conversion rate of "
                "%(rate)s. They are reported and move no money."
            )
            % {
                "month": terms.web_targets_from_month,
                "visitors": terms.min_unique_visitors,
                "inquiries": f"{terms.min_daily_inquiries.normalize():f}",
                "rate": percent_text(terms.min_conversion_rate),
            },
            _(
                "The statement is issued by day %(issue)s of the following month; you "
                "confirm or dispute it within %(receipt)s working days, and payment is due "
                "%(days)s working days after confirmation."
            )
            % {
                "issue": schedule.issue_by_day,
                "receipt": schedule.receipt_working_days,
                "days": schedule.payment_working_days,
            },
        ]
    elif agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE and terms is not None:
        sentences.append(
            _("Total fee %(total)s, billed in installments:")
            % {"total": money_text(terms.total_fee)}
        )
        for installment in agreement.installments.all():
            after = (
                _("%(days)s working days after signing")
                if installment.due_from == "signing"
                else _("%(days)s working days after the end (or termination)")
            ) % {"days": installment.working_days}
            sentences.append(
                _("Installment %(number)s: %(percent)s due %(after)s.")
                % {
                    "number": installment.number,
                    "percent": f"{installment.percent.normalize():f}%",
                    "after": after,
                }
            )
    if agreement.penalty_rate_per_day > 0:
        sentences.append(
            _("Late payment costs %(rate)s of the unpaid amount per calendar day.")
            % {"rate": percent_text(agreement.penalty_rate_per_day)}
        )
    else:
        sentences.append(_("No late-payment penalty."))
    if agreement.auto_renew:
        deadline = renewal_objection_deadline(
            ends_on=agreement.ends_on, notice_months=agreement.renewal_notice_months
        )
        sentences.append(
            _(
                "Renews automatically for %(months)s months unless either side objects in "
                "writing by %(deadline)s."
            )
            % {"months": agreement.renewal_term_months, "deadline": date_text(deadline)}
        )
    else:
        sentences.append(_("Does not renew automatically."))
    if agreement.exclusivity_party != Party.NONE:
        sentences.append(
            _("Exclusivity binds %(party)s: %(scope)s")
            % {
                "party": PARTY_LABELS.get(agreement.exclusivity_party, ""),
                "scope": agreement.exclusivity_scope or "—",
            }
        )
    if agreement.confidentiality_party != Party.NONE:
        if agreement.confidentiality_years:
            sentences.append(
                ngettext(
                    "Confidentiality binds %(party)s for %(years)s year after the end.",
                    "Confidentiality binds %(party)s for %(years)s years after the end.",
                    agreement.confidentiality_years,
                )
                % {
                    "party": PARTY_LABELS.get(agreement.confidentiality_party, ""),
                    "years": agreement.confidentiality_years,
                }
            )
        else:
            sentences.append(
                _("Confidentiality binds %(party)s with no end date.")
                % {"party": PARTY_LABELS.get(agreement.confidentiality_party, "")}
            )
    account = agreement.bank_account
    if account is not None:
        sentences.append(
            _("Pay into %(bank)s, account %(number)s (%(name)s).")
            % {
                "bank": account.bank_name,
                "number": account.account_number,
                "name": account.account_name,
            }
        )
    return sentences
