// Debian's headless Chromium, shared by the tests and the benches (playwright-core
// cannot download its own browser here). The flags keep it off the network it
// cannot reach. No dependencies, so both can import it.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
