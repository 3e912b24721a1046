"""Scenarios and uncertainty: scenario files and their events, Monte Carlo draws, comparison."""
