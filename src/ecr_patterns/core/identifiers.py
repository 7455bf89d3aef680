"""AWS identifiers, each defined once (plain Python): every construct, the catalog and the CLI check account ids,
organization ids and regions with these patterns."""

from __future__ import annotations

import re
from typing import Final

ACCOUNT_ID_PATTERN: Final = r"^\d{12}$"
"""An AWS account id: exactly 12 digits (IAM User Guide, "Your AWS account ID")."""
ORGANIZATION_ID_PATTERN: Final = r"^o-[a-z0-9]{10,32}$"
"""AWS Organizations' ``Organization.Id`` pattern (Organizations API reference)."""
REGION_PATTERN: Final = r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"

ACCOUNT_ID: Final = re.compile(ACCOUNT_ID_PATTERN)
ORGANIZATION_ID: Final = re.compile(ORGANIZATION_ID_PATTERN)
REGION: Final = re.compile(REGION_PATTERN)
