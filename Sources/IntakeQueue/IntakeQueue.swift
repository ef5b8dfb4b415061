// IntakeQueue
