<?php
// The web application's side of the task queue: COUNT ordinary tasks, plus one that fails twice
// before it succeeds ("flaky"), one that can never succeed ("poison"), one that runs longer than
// half its lock ("long") and one scheduled DELAY_MS from now ("scheduled", via delay_ms: the
// broker sets keel.deliver.at from its own clock).
// usage: php share-producer.php BASE_URL TOPIC COUNT [DELAY_MS] [LONG_MS]
// Prints one JSON line: how many tasks were stored.

declare(strict_types=1);
require __DIR__ . '/keel.php';

[$script, $baseUrl, $topic, $count, $delayMs, $longMs] =
    $argv + [null, 'http://127.0.0.1:9191', 'jobs', '10', '2000', '1500'];
$keel = new Keel($baseUrl);
$records = [];
for ($i = 0; $i < (int) $count; $i++) {
    $records[] = ['key' => "job-$i", 'value' => ['task' => (string) $i, 'n' => $i]];
}
$records[] = ['key' => 'flaky', 'value' => ['task' => 'flaky', 'n' => 7, 'fail' => 'transient', 'fail_times' => 2]];
$records[] = ['key' => 'poison', 'value' => ['task' => 'poison', 'fail' => 'permanent']];
$records[] = ['key' => 'long', 'value' => ['task' => 'long', 'n' => 3, 'work_ms' => (int) $longMs]];
$records[] = ['key' => 'scheduled', 'value' => ['task' => 'scheduled', 'n' => 5], 'delay_ms' => (int) $delayMs];
$stored = 0;
foreach (array_chunk($records, 100) as $chunk) {
    $stored += count($keel->produce($topic, $chunk)['records']);
}
echo json_encode(['stored' => $stored]), "\n";
