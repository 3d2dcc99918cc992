<?php
// A pool of PHP workers: starts N worker.php (or WORKER, e.g. share-worker.php) processes and
// waits for them all.
// usage: php pool.php N BASE_URL TOPIC GROUP IDLE_EXIT_MS [WORKER]
// Passes every worker's output through; exits non-zero if any worker failed.

declare(strict_types=1);

[$script, $n, $baseUrl, $topic, $group, $idleExitMs, $worker] =
    $argv + [null, '3', 'http://127.0.0.1:9191', 'tasks', 'workers', '10000', 'worker.php'];
$workers = [];
for ($i = 0; $i < (int) $n; $i++) {
    $cmd = [PHP_BINARY, __DIR__ . '/' . basename($worker), $baseUrl, $topic, $group, $idleExitMs];
    $workers[] = proc_open($cmd, [1 => ['pipe', 'w'], 2 => STDERR], $pipes[$i]);
}
$failed = 0;
foreach ($workers as $i => $proc) {
    echo stream_get_contents($pipes[$i][1]);
    fclose($pipes[$i][1]);
    $failed += proc_close($proc) === 0 ? 0 : 1;
}
exit($failed === 0 ? 0 : 1);
