"""Side effects that leave the process: the transactional outbox and its worker."""
