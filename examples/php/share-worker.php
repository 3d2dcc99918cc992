<?php
// One worker of a task queue on a share group (docs/queues.md): any number of these share the
// queue, more than it has partitions, each task locked to one worker at a time. A task is
// acknowledged on its own once its outcome is known:
//   accept  - done; never delivered again
//   release - failed for a reason that may pass: delivered again (delivery_count + 1), and to
//             <topic>.dlq once share.delivery.count.limit deliveries are used up
//   reject  - can never succeed: to <topic>.dlq at once
//   renew   - still working: a long task extends its lock instead of losing it to another worker
// A worker that dies holding a task leaves it locked until the lock expires; then another gets it.
// Tasks (share-producer.php): {"task", "n", "fail"?: "transient"|"permanent", "fail_times"?,
// "work_ms"?}; a scheduled task carries the keel.deliver.at header and never comes earlier.
// usage: php share-worker.php BASE_URL TOPIC GROUP IDLE_EXIT_MS
// Prints one line per outcome: "done|retry|rejected <task> delivery=<n> worker=<pid> [due=<ms> ran=<ms>]".

declare(strict_types=1);
require __DIR__ . '/keel.php';

[$script, $baseUrl, $topic, $group, $idleExitMs] =
    $argv + [null, 'http://127.0.0.1:9191', 'jobs', 'job-workers', '10000'];
$keel = new Keel($baseUrl);
$member = null;
$idleSince = microtime(true);
try {
    while ((microtime(true) - $idleSince) * 1000 < (int) $idleExitMs) {
        // One task at a time: a worker holds only what it is working on.
        $answer = $keel->sharePoll($group, [$topic], $member, 1000);
        $member = $answer['member_id'];
        foreach ($answer['records'] as $record) {
            $type = run($keel, $group, $member, $record, $answer['lock_duration_ms']);
            foreach ($keel->shareAck($group, $member, [Keel::ack($record, $type)]) as $result) {
                if (isset($result['error'])) {
                    // E.g. SHARE_LOCK_EXPIRED: the task ran too long and may run again elsewhere.
                    fwrite(STDERR, "not acknowledged: {$result['error']['code']} {$result['error']['message']}\n");
                }
            }
            $idleSince = microtime(true);
        }
    }
} finally {
    if ($member !== null) {
        $keel->shareLeave($group, $member);
    }
}

/** Runs one task; answers how to acknowledge it. */
function run(Keel $keel, string $group, string $member, array $record, int $lockMs): string
{
    $task = $record['value'];
    $delivery = $record['delivery_count'];
    $line = ($task['task'] ?? '?') . " delivery=$delivery worker=" . getmypid();
    if (($task['fail'] ?? null) === 'permanent') {
        echo "rejected $line\n";
        return 'reject';
    }
    if (($task['fail'] ?? null) === 'transient' && $delivery <= ($task['fail_times'] ?? 1)) {
        echo "retry $line\n";
        return 'release';
    }
    work($keel, $group, $member, $record, (int) ($task['work_ms'] ?? 0), $lockMs);
    $result = ($task['n'] ?? 0) ** 2;
    if (isset($record['headers']['keel.deliver.at'])) {
        $line .= " due={$record['headers']['keel.deliver.at']} ran=" . (int) (microtime(true) * 1000);
    }
    echo "done $line result=$result\n";
    return 'accept';
}

/** Works for $workMs, renewing the lock whenever less than half of it is left. */
function work(Keel $keel, string $group, string $member, array $record, int $workMs, int $lockMs): void
{
    $deadline = $record['lock_deadline_ms'];
    $until = microtime(true) * 1000 + $workMs;
    while (($now = microtime(true) * 1000) < $until) {
        if ($deadline - $now < $lockMs / 2) {
            $result = $keel->shareAck($group, $member, [Keel::ack($record, 'renew')])[0];
            if (isset($result['error'])) {
                throw new RuntimeException("lost the lock of {$record['offset']}: {$result['error']['message']}");
            }
            $deadline = $result['lock_deadline_ms'];
            echo "renewed {$record['value']['task']}\n";
        }
        usleep((int) min(50000, max(1, $until - $now) * 1000));
    }
}
