import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Which Linux capabilities the agent needs when it runs as a non-root user
/// (docs/capabilities.md): the built `telegen --once` run as uid 65534 under `setpriv`
/// with no capabilities, with exactly the set the chart should add, with it less each
/// of its capabilities, and with `CAP_SYS_PTRACE` more, against a pod's cgroups and processes of other users made in the
/// running kernel, a filesystem mounted below a directory only root may search and a
/// DMI `product_uuid` only root may read. Every run happens in a mount and PID
/// namespace of its own (so the mounts and processes vanish with it); the namespace's
/// PID 1 is root's, as a host's init.
///
/// It fails when the granted set stops being enough (a run with it differs from root's)
/// and when a capability in it becomes unnecessary (a run without it loses nothing).
@Suite(.serialized)
struct CapabilityTests {
    /// What the DaemonSet should add to `drop: [ALL]`, in setpriv's spelling
    /// (`DAC_READ_SEARCH` in a securityContext).
    static let granted = ["dac_read_search"]

    /// The runs, made once for all tests of the suite.
    static let runs: Result<Runs, CapabilityRunError> = Runs.make()

    static func loaded() throws -> Runs {
        switch runs {
        case .success(let runs): return runs
        case .failure(.unsupported(let reason)): try Test.cancel(Comment(rawValue: reason))
        case .failure(let error): throw error
        }
    }

    // MARK: The granted set is enough, and each capability in it is needed

    @Test func grantedSetServesWhatRootServes() throws {
        let runs = try Self.loaded()
        let root = try runs["root"], granted = try runs["granted"]
        #expect(root.status == 0, "\(root.log)")
        #expect(granted.status == 0, "\(granted.log)")
        #expect(granted.errors.isEmpty, "\(granted.errors)")
        let missing = root.keys.subtracting(granted.keys), extra = granted.keys.subtracting(root.keys)
        #expect(missing.isEmpty && extra.isEmpty, "root only: \(missing.sorted()); \(Self.granted) only: \(extra.sorted())")
        // What the setup made is there at all (so the comparisons above compare something).
        try runs.expectEveryContainer(in: granted)
        #expect(!granted.series("node_filesystem_size_bytes", ["mountpoint": runs.privateMount]).isEmpty)
        #expect(granted.series("machine_cpu_cores", ["system_uuid": Runs.systemUUID]).count == 1)
    }

    @Test func everyGrantedCapabilityIsNeeded() throws {
        let runs = try Self.loaded()
        let granted = try runs["granted"]
        for capability in Self.granted {
            let without = try runs["without-\(capability)"]
            #expect(without.keys != granted.keys || !without.errors.isEmpty,
                    "nothing is lost without \(capability) on an ordinary /proc: the chart need not grant it")
        }
    }

    @Test func withoutCapabilitiesPrivateMountsAndSystemUUIDAreLostAndReported() throws {
        let runs = try Self.loaded()
        let root = try runs["root"], none = try runs["none"]
        // Everything from cgroups and other users' /proc files is still there…
        try runs.expectEveryContainer(in: none)
        // …but statfs cannot reach a mount below a directory only root may search: node_exporter's
        // device_error series says so, and its size, free, avail, files and files_free are missing.
        let denied = none.series("node_filesystem_device_error", ["device_error": "permission denied"])
        let deniedMounts = Set(denied.compactMap { $0.labels["mountpoint"] })
        #expect(deniedMounts.contains(runs.privateMount), "\(deniedMounts)")
        #expect(denied.allSatisfy { $0.value == "1" })
        #expect(none.series("node_filesystem_size_bytes", ["mountpoint": runs.privateMount]).isEmpty)
        // product_uuid (0400 root) leaves system_uuid empty on machine_*, counted and logged.
        #expect(none.series("machine_cpu_cores", ["system_uuid": Runs.systemUUID]).isEmpty)
        #expect(none.series("machine_cpu_cores", [:]).count == 1)
        #expect(none.errors["cadvisor/machine"] == 1, "\(none.errors)")
        #expect(none.log.contains("product_uuid: Permission denied"), "\(none.log)")
        #expect(none.status == 1)
        // And nothing else differs from root's run.
        func explained(_ key: String) -> Bool {
            key.hasPrefix("machine_") || deniedMounts.contains { key.hasPrefix("node_filesystem_") && key.contains("mountpoint=\($0),") }
        }
        let unexplained = root.keys.symmetricDifference(none.keys).filter { !explained($0) }
        #expect(unexplained.isEmpty, "\(unexplained.sorted())")
    }

    // MARK: CAP_SYS_PTRACE: needed only where /proc hides other users' processes

    @Test func sysPtraceAddsNothingOnAnOrdinaryProc() throws {
        let runs = try Self.loaded()
        let none = try runs["none"], ptrace = try runs["ptrace"]
        let granted = try runs["granted"], grantedPtrace = try runs["granted-ptrace"]
        #expect(ptrace.keys == none.keys, "\(ptrace.keys.symmetricDifference(none.keys).sorted())")
        #expect(grantedPtrace.keys == granted.keys, "\(grantedPtrace.keys.symmetricDifference(granted.keys).sorted())")
        #expect(grantedPtrace.status == 0 && grantedPtrace.errors.isEmpty, "\(grantedPtrace.log)")
    }

    @Test func hidepidHidesPodNetworkWithoutSysPtraceAndSaysSo() throws {
        let runs = try Self.loaded()
        let hidden = try runs["hidden-granted"], hiddenPtrace = try runs["hidden-granted-ptrace"], granted = try runs["granted"]
        // /proc mounted hidepid=2: the sandbox's net/dev is invisible to 65534; the loss is counted and logged.
        #expect(hidden.series("container_network_receive_bytes_total", ["id": runs.sandbox]).isEmpty)
        #expect(hidden.errors["cadvisor/network"] == 1, "\(hidden.errors)")
        #expect(hidden.log.contains("hidden by hidepid"), "\(hidden.log)")
        #expect(hidden.status == 1)
        // The cgroup files are not behind /proc: the containers' other families stay.
        for id in runs.containers {
            #expect(hidden.value("container_memory_working_set_bytes", ["id": id]) != nil, "\(id)")
            #expect(hidden.value("container_processes", ["id": id]) == 1, "\(id)")
        }
        // CAP_SYS_PTRACE passes hidepid's ptrace_may_access check: everything is back.
        #expect(hiddenPtrace.status == 0 && hiddenPtrace.errors.isEmpty, "\(hiddenPtrace.log)")
        #expect(hiddenPtrace.interfaces(of: runs.sandbox) == runs.sandboxInterfaces)
        #expect(hiddenPtrace.keys == granted.keys, "\(hiddenPtrace.keys.symmetricDifference(granted.keys).sorted())")
    }

    // MARK: hostPID

    @Test func withoutHostPIDProcessesAndNetworkAreLostAndReported() throws {
        let runs = try Self.loaded()
        let run = try runs["nohostpid"]
        for id in runs.containers {
            #expect(run.value("container_processes", ["id": id]) == 0, "\(id)")
            #expect(run.value("container_threads", ["id": id]) == 1, "\(id)")  // pids.current is a count, not PIDs
        }
        #expect(run.series("container_network_receive_bytes_total", ["id": runs.sandbox]).isEmpty)
        #expect(run.errors["cadvisor/processes"] == 1, "\(run.errors)")
        #expect(run.log.contains("run with hostPID"), "\(run.log)")
        #expect(run.status == 1)
    }
}

enum CapabilityRunError: Error, CustomStringConvertible {
    case unsupported(String)
    case failed(String)

    var description: String {
        switch self {
        case .unsupported(let reason), .failed(let reason): reason
        }
    }
}

/// The outputs of every `telegen --once` run of the setup script.
struct Runs: Sendable {
    static let systemUUID = "4c4c4544-0054-4510-8047-b4c04f564433"

    struct Run: Sendable {
        var status: Int32
        var exposition: ParsedExposition
        var log: String

        /// Every series but Telegen's own, as `name{label=value,...}` with sorted labels.
        var keys: Set<String> {
            Set(exposition.samples.filter { !$0.name.hasPrefix("telegen_") }.map { sample in
                "\(sample.name){" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)," }.joined() + "}"
            })
        }

        /// `telegen_collector_errors_total` by `collector/subsystem`.
        var errors: [String: Double] {
            var result: [String: Double] = [:]
            for sample in exposition.samples(named: "telegen_collector_errors_total") {
                result["\(sample.labels["collector"] ?? "")/\(sample.labels["subsystem"] ?? "")"] = Double(sample.value)
            }
            return result
        }

        /// Samples of `name` with these labels (an empty value: the label is empty).
        func series(_ name: String, _ labels: [String: String]) -> [ParsedExposition.Sample] {
            exposition.samples(named: name).filter { sample in
                labels.allSatisfy { sample.labels[$0.key] == ($0.value.isEmpty ? nil : $0.value) }
            }
        }

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            series(name, labels).first.flatMap { Double($0.value) }
        }

        func interfaces(of id: String) -> Set<String> {
            Set(series("container_network_receive_bytes_total", ["id": id]).compactMap { $0.labels["interface"] })
        }
    }

    var runs: [String: Run]
    var pod: String, sandbox: String, app: String, user: String
    var privateMount: String
    var sandboxInterfaces: Set<String>
    /// Whether the app container's writes were accounted to a block device (not on tmpfs).
    var ioAccounted: Bool

    var containers: [String] { [sandbox, app, user] }

    subscript(name: String) -> Run {
        get throws {
            guard let run = runs[name] else { throw CapabilityRunError.failed("no run \(name)") }
            return run
        }
    }

    /// What every capability set must keep: the cgroup families of each container, one
    /// process in each, the sandbox's network (another user's, in another network
    /// namespace), and the device rows of the container that wrote.
    func expectEveryContainer(in run: Run, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for id in containers {
            for family in ["container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_spec_memory_limit_bytes",
                           "container_start_time_seconds"] {
                #expect(run.value(family, ["id": id]) != nil, "\(family) \(id)", sourceLocation: sourceLocation)
            }
            #expect(run.value("container_processes", ["id": id]) == 1, "\(id)", sourceLocation: sourceLocation)
            #expect(run.value("container_threads", ["id": id]) == 1, "\(id)", sourceLocation: sourceLocation)
        }
        #expect(!sandboxInterfaces.isEmpty)
        #expect(run.interfaces(of: sandbox) == sandboxInterfaces, sourceLocation: sourceLocation)
        for id in [app, user, pod] {
            #expect(run.interfaces(of: id).isEmpty, "\(id)", sourceLocation: sourceLocation)
        }
        if ioAccounted {
            #expect((run.value("container_fs_writes_bytes_total", ["id": app]) ?? 0) >= Double(1 << 20), sourceLocation: sourceLocation)
        }
    }

    static func make() -> Result<Runs, CapabilityRunError> {
        do {
            return .success(try run())
        } catch let error as CapabilityRunError {
            return .failure(error)
        } catch {
            return .failure(.failed("\(error)"))
        }
    }

    private static func run() throws -> Runs {
        for controller in ["cpu", "cpuacct", "memory", "blkio", "pids"] where access("/sys/fs/cgroup/\(controller)/cgroup.procs", F_OK) != 0 {
            throw CapabilityRunError.unsupported("no cgroup v1 \(controller) hierarchy at /sys/fs/cgroup/\(controller) (a v2-only kernel); this test builds the kubelet's v1 layout")
        }
        for tool in ["setpriv", "unshare", "findmnt"] {
            _ = try Command.which(tool, installHint: "util-linux provides it")
        }
        // Root, or root through sudo without a password.
        var prefix: [String] = []
        if geteuid() != 0 {
            guard let sudo = try? Command.which("sudo", installHint: ""),
                  (try? Command.run(sudo, ["-n", "true"]).status) == 0 else {
                throw CapabilityRunError.unsupported("needs root (or sudo -n) to make cgroups, mounts and processes of other users")
            }
            prefix = [sudo, "-n"]
        }
        let binary = try Repository.telegenBinary()
        let scratch = try TemporaryDirectory("telegen-capabilities")
        let outer = try scratch.write("outer.sh", outerScript)
        try scratch.write("inner.sh", innerScript)
        func setprivList(_ capabilities: [String]) -> String { (["-all"] + capabilities.map { "+" + $0 }).joined(separator: ",") }
        let grantedSet = setprivList(CapabilityTests.granted)
        // One more run per granted capability, with the others only.
        try scratch.write("without", CapabilityTests.granted.map { capability in
            "\(capability) \(setprivList(CapabilityTests.granted.filter { $0 != capability }))\n"
        }.joined())
        let command = prefix + ["/bin/sh", outer, scratch.path, binary, "\(getuid()):\(getgid())", grantedSet]
        let result = try Command.run(command[0], Array(command.dropFirst()), timeout: 120)
        guard result.status == 0 else {
            throw CapabilityRunError.failed("setup script exited \(result.status): \(result.combinedOutput)")
        }

        func read(_ relative: String) throws -> String {
            try String(contentsOfFile: scratch.path + "/" + relative, encoding: .utf8)
        }
        var runs: [String: Run] = [:]
        let names = ["root", "none", "ptrace", "granted", "granted-ptrace", "nohostpid", "hidden-granted", "hidden-granted-ptrace"]
        for name in names + CapabilityTests.granted.map({ "without-\($0)" }) {
            let status = Int32(try read("out/\(name).status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            runs[name] = Run(status: status, exposition: ParsedExposition(try read("out/\(name).prom")), log: try read("out/\(name).log"))
        }
        var ids: [String: String] = [:]
        for line in try read("ids").split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { ids[String(parts[0])] = String(parts[1]) }
        }
        // The sandbox's interfaces as root read them, less those cAdvisor ignores.
        let interfaces = try read("sandbox.netdev").split(separator: "\n").dropFirst(2)
            .compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
            .filter { name in !["lo", "veth", "docker", "nerdctl"].contains { name.lowercased().hasPrefix($0) } }
        return Runs(runs: runs, pod: ids["pod"] ?? "", sandbox: ids["sandbox"] ?? "", app: ids["app"] ?? "", user: ids["user"] ?? "",
                    privateMount: scratch.path + "/private/vol", sandboxInterfaces: Set(interfaces),
                    ioAccounted: try read("io-device").trimmingCharacters(in: .whitespacesAndNewlines) != "none")
    }

    /// outer.sh SCRATCH TELEGEN OWNER GRANTED: inner.sh in fresh mount and PID namespaces, then
    /// the test's cgroups removed and what root made handed back to OWNER.
    static let outerScript = #"""
        #!/bin/sh
        X=$1
        unshare --mount --propagation private --pid --fork --mount-proc sh "$X/inner.sh" "$X" "$2" "$4"
        status=$?
        # The namespace's processes died with its PID 1; their cgroups empty out in a moment.
        if [ -f "$X/cgroups" ]; then
          for d in $(sort -r -u "$X/cgroups"); do
            n=0; while [ -d "$d" ] && ! rmdir "$d" 2>/dev/null && [ $n -lt 100 ]; do n=$((n+1)); sleep 0.05; done
          done
        fi
        rm -rf "$X/private" "$X/proc-hidden" "$X/hostproc" "$X/sys" "$X/cgroot" "$X/io" "$X/telegen" "$X/pause"
        chown -R "$3" "$X"
        exit $status
        """#

    /// inner.sh SCRATCH TELEGEN GRANTED (a setpriv capability list), as root and PID 1 of its own PID and mount namespaces.
    static let innerScript = #"""
        #!/bin/sh
        set -eu
        X=$1 G=$3
        CG=/sys/fs/cgroup
        CTRL="cpu cpuacct memory blkio pids"
        # A tree of our own under each v1 hierarchy, given to telegen as its cgroup_root (no
        # /kubepods at the real root, which CAdvisorKernelTests uses).
        T=telegen-captest-$(cat /proc/sys/kernel/random/uuid)
        hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
        SB=$(hex); APP=$(hex); USR=$(hex)
        POD=/kubepods/burstable/pod$(cat /proc/sys/kernel/random/uuid)
        mkdir -p "$X/out" "$X/cgroot"
        for c in $CTRL; do
          for p in "" /kubepods /kubepods/burstable $POD $POD/$SB $POD/$APP $POD/$USR; do
            mkdir -p "$CG/$c/$T$p"; echo "$CG/$c/$T$p" >> "$X/cgroups"
          done
          ln -s "$CG/$c/$T" "$X/cgroot/$c"
        done
        printf 'pod=%s\nsandbox=%s\napp=%s\nuser=%s\n' "$POD" "$POD/$SB" "$POD/$APP" "$POD/$USR" > "$X/ids"
        # Runs "$@" in cgroup $1 of every controller, from its first instruction on.
        start() {
          cg=$1; shift
          sh -c 'for c in '"$CTRL"'; do echo $$ > '"$CG"'/$c/'"$T"'$0/cgroup.procs; done; exec "$@"' "$cg" "$@" >/dev/null 2>&1 &
        }
        # The sandbox: a copy of sleep named pause, as 65535 (the pause image's user), in a
        # network namespace of its own with an eth0 when iproute2 can make one, as a pod's.
        cp /bin/sleep "$X/pause"; chmod 755 "$X/pause"
        if command -v ip >/dev/null && unshare -n ip link add eth0 type veth peer name veth0 2>/dev/null; then
          start "$POD/$SB" unshare -n sh -c "ip link add eth0 type veth peer name veth0 && ip link set eth0 up && exec setpriv --reuid=65535 --regid=65535 --clear-groups $X/pause 600"
        else
          start "$POD/$SB" setpriv --reuid=65535 --regid=65535 --clear-groups "$X/pause" 600
        fi
        # A root container writing with O_DIRECT; a (generous) throttle rule makes v1 account its device.
        dev=$(findmnt -no MAJ:MIN -T "$X" | tr -d ' ')
        case $dev in
          0:*|"") echo none > "$X/io-device" ;;
          *) if echo "$dev 1000000000000" > "$CG/blkio/$T$POD/$APP/blkio.throttle.write_bps_device"; then echo "$dev" > "$X/io-device"; else echo none > "$X/io-device"; fi ;;
        esac
        start "$POD/$APP" sh -c "dd if=/dev/zero of=$X/io bs=64k count=32 oflag=direct 2>/dev/null || echo none > $X/io-device; : > $X/io.done; exec sleep 600"
        # A container of another user.
        start "$POD/$USR" setpriv --reuid=1000 --regid=1000 --clear-groups sleep 600
        n=0; while [ ! -e "$X/io.done" ] && [ $n -lt 200 ]; do n=$((n+1)); sleep 0.05; done
        for p in $SB $APP $USR; do
          n=0; while [ -z "$(cat "$CG/pids/$T$POD/$p/cgroup.procs")" ] && [ $n -lt 200 ]; do n=$((n+1)); sleep 0.05; done
        done
        n=0; while [ "$(cat /proc/$(head -1 "$CG/pids/$T$POD/$SB/cgroup.procs")/comm)" != pause ] && [ $n -lt 200 ]; do n=$((n+1)); sleep 0.05; done
        cat "/proc/$(head -1 "$CG/pids/$T$POD/$SB/cgroup.procs")/net/dev" > "$X/sandbox.netdev"
        # A filesystem only root can reach, as a pod's volume below /var/lib/kubelet/pods.
        mkdir -m 0700 "$X/private"; mkdir "$X/private/vol"
        mount -t tmpfs -o size=1m telegen-captest "$X/private/vol"
        # A sys root whose DMI product_uuid is 0400 root, as on hardware.
        mkdir -p "$X/sys/devices/system/cpu" "$X/sys/class/dmi/id" "$X/sys/dev"
        cp /sys/devices/system/cpu/online "$X/sys/devices/system/cpu/online"
        ln -s /sys/dev/block "$X/sys/dev/block"
        echo 4c4c4544-0054-4510-8047-b4c04f564433 > "$X/sys/class/dmi/id/product_uuid"
        chmod -R go+rX "$X/sys"; chmod go+rx "$X" "$X/out"; chmod 0400 "$X/sys/class/dmi/id/product_uuid"
        cp "$2" "$X/telegen"; chmod 755 "$X/telegen"
        config() {
          cat > "$X/$1.yaml" <<YAML
        kubernetes: {enable: false}
        kube_metrics:
          listen_address: "127.0.0.1:0"
          kube_state: {enabled: false}
          cadvisor: {cgroup_root: "$X/cgroot", proc_root: "$2"}
          node: {proc_root: "$2", sys_root: "$X/sys", rootfs: /}
        YAML
          chmod 644 "$X/$1.yaml"
        }
        config default /proc
        config hidden "$X/proc-hidden"
        config hostproc "$X/hostproc"
        # run NAME CONFIG CAPS [PREFIX...]: telegen --once as 65534 with exactly CAPS (root: as root).
        run() {
          name=$1 cfg=$2 caps=$3; shift 3
          if [ "$caps" != root ]; then
            set -- "$@" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps"
          fi
          set +e
          "$@" "$X/telegen" --once --config "$X/$cfg.yaml" > "$X/out/$name.prom" 2> "$X/out/$name.log" < /dev/null
          echo $? > "$X/out/$name.status"
          set -e
        }
        run root default root
        run none default -all
        run ptrace default -all,+sys_ptrace
        run granted default "$G"
        run granted-ptrace default "$G,+sys_ptrace"
        while read -r cap caps; do run "without-$cap" default "$caps"; done < "$X/without"
        # A pod without hostPID: a PID namespace and /proc of its own (libdispatch reads its
        # threads' /proc/<tid>/stat there), the host's /proc at /host/proc.
        mkdir "$X/hostproc"; mount --bind /proc "$X/hostproc"
        run nohostpid hostproc "$G" unshare --pid --fork --mount --mount-proc
        # Last: before Linux 5.8 a second procfs of a namespace shares the first's options.
        mkdir "$X/proc-hidden"; mount -t proc -o hidepid=2 proc "$X/proc-hidden"
        run hidden-granted hidden "$G"
        run hidden-granted-ptrace hidden "$G,+sys_ptrace"
        """#
}
