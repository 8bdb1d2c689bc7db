import KubeWatch

/// kube-state-metrics' job families (internal/store/job.go), in its output order.
/// Every sample starts with `namespace, job_name`.
extension Job {
    public static let families: [Family<Job>] = [
        .annotations("kube_job_annotations"),
        .labels("kube_job_labels"),
        .gauge("kube_job_info", "Information about job.", .stable) { _ in 1 },
        .created("kube_job_created"),
        .gauge("kube_job_spec_parallelism", "The maximum desired number of pods the job should run at any given time.", .stable) {
            $0.spec.parallelism.map(Double.init)
        },
        .gauge("kube_job_spec_completions", "The desired number of successfully finished pods the job should be run with.", .stable) {
            $0.spec.completions.map(Double.init)
        },
        .gauge("kube_job_spec_active_deadline_seconds",
               "The duration in seconds relative to the startTime that the job may be active before the system tries to terminate it.",
               .stable) { $0.spec.activeDeadlineSeconds.map(Double.init) },
        .gauge("kube_job_status_succeeded", "The number of pods which reached Phase Succeeded.", .stable) { Double($0.status.succeeded) },
        // `reason` only once the job has failed pods: one sample per known reason for each
        // Failed condition (whatever its status), and the count under reason="" when no
        // condition names a known reason.
        Family("kube_job_status_failed", "The number of pods which reached Phase Failed and the reason for failure.", .stable,
               dynamic: true) { job, out in
            let failed = Double(job.status.failed)
            guard failed != 0 else { return out.add(names: [], values: [], failed) }
            var reasonKnown = false
            for condition in job.status.conditions where condition.type == "Failed" {
                for reason in failureReasons {
                    reasonKnown = reasonKnown || condition.reason == reason
                    out.add(names: ["reason"], values: [reason], condition.reason == reason ? 1 : 0)
                }
            }
            if !reasonKnown { out.add(names: ["reason"], values: [""], failed) }
        },
        .gauge("kube_job_status_active", "The number of actively running pods.", .stable) { Double($0.status.active) },
        .gauge("kube_job_status_ready", "The number of ready pods that belong to this Job.") { Double($0.status.ready ?? 0) },
        conditionFamily("kube_job_complete", "The job has completed its execution.", type: "Complete"),
        conditionFamily("kube_job_failed", "The job has failed its execution.", type: "Failed"),
        .gauge("kube_job_status_start_time", "StartTime represents time when the job was acknowledged by the Job Manager.", .stable) {
            $0.status.startTime.map { Double($0.seconds) }
        },
        .gauge("kube_job_status_completion_time", "CompletionTime represents time when the job was completed.", .stable) {
            $0.status.completionTime.map { Double($0.seconds) }
        },
        Family("kube_job_status_suspended", "The number of pods which reached Phase Suspended.") { job, out in
            for condition in job.status.conditions where condition.type == "Suspended" { out.add(condition.status == "True" ? 1 : 0) }
        },
        .owner("kube_job_owner", "Information about the Job's owner.", .stable),
    ]

    /// The failure reasons kube-state-metrics gives a sample of their own.
    static let failureReasons = ["BackoffLimitExceeded", "DeadlineExceeded", "Evicted"]

    /// true / false / unknown for every condition of `type`.
    private static func conditionFamily(_ name: String, _ help: String, type: String) -> Family<Job> {
        Family(name, help, .stable, labels: ["condition"]) { job, out in
            for condition in job.status.conditions where condition.type == type {
                KubeStateRules.condition(condition.status, into: &out)
            }
        }
    }
}
