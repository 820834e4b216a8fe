// Demo script: asks the origin's dynamic endpoint for its clock, which shows whether a response came from a cache.
"use strict";

async function showOriginClock() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/api/time", { headers: { Accept: "application/json" } });
    const body = await response.json();
    const age = response.headers.get("Age");
    const when = new Date(body.now * 1000).toISOString();
    status.textContent = `Origin clock ${when}, response #${body.served}` + (age ? `, cached ${age}s ago` : "");
  } catch (error) {
    status.textContent = `Could not reach /api/time: ${error}`;
  }
}

showOriginClock();
