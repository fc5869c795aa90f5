"""The RNN Remedies Lab dashboard: engine records → pandas frames → Altair charts. Never touches a tensor."""
