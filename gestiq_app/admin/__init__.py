"""The back office (Flask-AppBuilder at /admin/)."""
