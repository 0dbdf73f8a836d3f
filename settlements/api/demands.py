"""The brand's written demand (催缴) for a late monthly statement, posted under its agreement
(``agreements/{id}/demand/``): the rules of late statements are settlements'."""

from typing import Any

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import ISO_8601, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import PeriodField
from common.api.permissions import BrandFinanceOrStaff
from common.api.scoping import ScopedViewSetMixin
from contracts.models import Agreement
from core.exceptions import RuleViolation
from core.periods import Period
from settlements import calculations as calc
from settlements import services

DEMAND_DESCRIPTION = (
    "The brand demands (催缴) a late monthly statement; starts the "
    f"{calc.DEMAND_ISSUE_DAYS}-day clock.\n\nBrand finance or staff. 409 when the statement "
    "is not late."
)


class DemandSerializer(serializers.Serializer):
    period = PeriodField(help_text="The month whose statement is late, YYYY-MM.")
    on = serializers.DateField(required=False, help_text="Date of the demand (default today).")


class DemandResultSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    period = serializers.CharField()
    demanded_on = serializers.DateField(format=ISO_8601)


class AgreementDemandViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The brand's written demand for a late monthly statement, posted under its agreement
    (``agreements/{id}/demand/``): the rules of late statements are settlements'."""

    queryset = Agreement.objects.all()
    serializer_class = DemandSerializer
    permission_classes = [BrandFinanceOrStaff]

    @extend_schema(
        request=DemandSerializer,
        responses={201: DemandResultSerializer},
        description=DEMAND_DESCRIPTION,
    )
    @action(detail=True, methods=["post"])
    def demand(self, request: Request, pk: Any = None) -> Response:
        """See DEMAND_DESCRIPTION (the operation's text in the schema)."""
        agreement = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            demand = services.statement_demand(
                agreement=agreement,
                period=Period.parse(body.validated_data["period"]),
                by=request.user,
                demanded_on=body.validated_data.get("on"),
            )
        except RuleViolation as error:  # the service calls the date demanded_on
            raise RuleViolation(
                {("on" if name == "demanded_on" else name): m for name, m in error.errors.items()}
            ) from error
        data = {
            "agreement": demand.agreement_id,
            "period": str(demand.period),
            "demanded_on": demand.demanded_on,
        }
        return Response(DemandResultSerializer(data).data, status=status.HTTP_201_CREATED)
