"""Tests of loss_service_client. Those that call the service read its URL from LOSS_SERVICE_URL."""
