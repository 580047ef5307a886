"""arq jobs: outbox dispatch, mail delivery, sweeps."""
