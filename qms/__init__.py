"""QMS Tracker: an ISO 9001:2015 quality-management system tracker."""

__version__ = "0.1.0"
