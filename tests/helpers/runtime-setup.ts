import { DefaultLogger, Runtime } from '@temporalio/worker';

// One quiet SDK runtime per test process, and no signal handlers of its own.
try {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
} catch {
  // already installed in this process
}
