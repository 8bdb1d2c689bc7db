import KubeWatch

/// kube-state-metrics' cronjob families (internal/store/cronjob.go), in its output
/// order. Every sample starts with `namespace, cronjob`. Schedules are evaluated in
/// `spec.timeZone`, or in the local zone (`ZoneInfo.local`) when it is unset.
extension CronJob {
    public static let families: [Family<CronJob>] = [
        .annotations("kube_cronjob_annotations"),
        .labels("kube_cronjob_labels"),
        .info("kube_cronjob_info", "Info about cronjob.", .stable, labels: ["schedule", "concurrency_policy", "timezone"]) { cronJob in
            [cronJob.spec.schedule, cronJob.spec.concurrencyPolicy, cronJob.spec.timeZone ?? "local"]
        },
        .created("kube_cronjob_created"),
        .gauge("kube_cronjob_status_active", "Active holds pointers to currently running jobs.", .stable) { Double($0.status.activeCount) },
        .gauge("kube_cronjob_status_last_schedule_time",
               "LastScheduleTime keeps information of when was the last time the job was successfully scheduled.", .stable) {
            $0.status.lastScheduleTime.map { Double($0.seconds) }
        },
        .gauge("kube_cronjob_status_last_successful_time",
               "LastSuccessfulTime keeps information of when was the last time the job was completed successfully.", .stable) {
            $0.status.lastSuccessfulTime.map { Double($0.seconds) }
        },
        .gauge("kube_cronjob_spec_suspend", "Suspend flag tells the controller to suspend subsequent executions.", .stable) {
            $0.spec.suspend == true ? 1 : 0
        },
        .gauge("kube_cronjob_spec_starting_deadline_seconds",
               "Deadline in seconds for starting the job if it misses scheduled time for any reason.", .stable) {
            $0.spec.startingDeadlineSeconds.map(Double.init)
        },
        // Not while suspended; Go's zero time when the schedule never comes due.
        .gauge("kube_cronjob_next_schedule_time",
               "Next time the cronjob should be scheduled. The time after lastScheduleTime, or after the cron job's creation time if it's never been scheduled. Use this to determine if the job is delayed.",
               .stable) { cronJob in
            guard cronJob.spec.suspend != true else { return nil }
            return cronJob.nextScheduleTime.map(Double.init)
        },
        // Written even while suspended.
        .gauge("kube_cronjob_schedule_invalid",
               "Emitted with value 1 for cronjobs whose schedule, in its configured timezone, cannot be parsed.") { cronJob in
            CronSchedule.parseStandard(cronJob.zonedSchedule) == nil ? 1 : nil
        },
        .resourceVersion("kube_cronjob_metadata_resource_version", "Resource version representing a specific version of the cronjob.", .stable),
        .gauge("kube_cronjob_spec_successful_job_history_limit",
               "Successful job history limit tells the controller how many completed jobs should be preserved.") {
            $0.spec.successfulJobsHistoryLimit.map(Double.init)
        },
        .gauge("kube_cronjob_spec_failed_job_history_limit",
               "Failed job history limit tells the controller how many failed jobs should be preserved.") {
            $0.spec.failedJobsHistoryLimit.map(Double.init)
        },
    ]
}
