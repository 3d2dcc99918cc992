<?php
// One worker of the pool: joins the consumer group, takes tasks, does them, and commits only
// after the work (and any reply) is done, so a worker that dies mid-task leaves its tasks to the
// others. A task carrying a reply address (keel.reply.to = "topic:partition", as sent by
// caller.php or the Java KeelRequester) gets its result sent back with the same correlation id.
// usage: php worker.php BASE_URL TOPIC GROUP IDLE_EXIT_MS
// Prints one line per task done: "done <task id>".

declare(strict_types=1);
require __DIR__ . '/keel.php';

[$script, $baseUrl, $topic, $group, $idleExitMs] =
    $argv + [null, 'http://127.0.0.1:9191', 'tasks', 'workers', '10000'];
$keel = new Keel($baseUrl);
$member = $keel->joinGroup($group, [$topic]);
$idleSince = microtime(true);
try {
    while ((microtime(true) - $idleSince) * 1000 < (int) $idleExitMs) {
        $records = $keel->poll($group, $member, 1000);
        if ($records === []) {
            continue;
        }
        foreach ($records as $record) {
            handle($keel, $record);
        }
        $keel->commit($group, $member);
        $idleSince = microtime(true);
    }
} finally {
    $keel->leaveGroup($group, $member);
}

function handle(Keel $keel, array $record): void
{
    $task = $record['value'];
    $result = ['task' => $task['task'] ?? null, 'result' => ($task['n'] ?? 0) ** 2, 'worker' => getmypid()];
    $headers = $record['headers'];
    if (isset($headers['keel.reply.to'], $headers['keel.correlation.id'])) {
        if (isset($headers['keel.deadline.ms']) && (int) $headers['keel.deadline.ms'] < microtime(true) * 1000) {
            return; // the caller gave up; nobody reads this reply
        }
        [$replyTopic, $replyPartition] = explode(':', $headers['keel.reply.to'], 2);
        $keel->produce($replyTopic, [[
            'value' => $result,
            'partition' => (int) $replyPartition,
            'headers' => ['keel.correlation.id' => $headers['keel.correlation.id']],
        ]]);
    }
    echo 'done ', $task['task'] ?? '?', "\n";
}
