// Package e2e holds notifyd's process-level tests: the fault suite and the two-replica
// test run the real notifyd binary as subprocesses (built once per test binary), kill
// them with SIGKILL at the fault points of internal/fault, restart them on the same
// database and check from the store and from a fake SMS provider that nothing was lost
// and nothing sent twice. The chaos suite keeps notifyd running under a steady load and
// takes its dependencies away one at a time (MariaDB, Redis, SQS, the SMS gateway). See
// docs/faults.md.
package e2e
