@testable import CgroupReader
import Testing

struct LoadAverageTests {
    @Test func parses() throws {
        #expect(try LoadAverage.parse("0.25 1.50 12.00 2/345 6789\n") == LoadAverage(one: 0.25, five: 1.5, fifteen: 12))
    }

    @Test(arguments: ["", "0.25 1.50\n", "a b c\n", "-1 0 0\n", "nan 1 1\n", "inf 1 1 1/1 1\n"])
    func rejects(text: String) {
        #expect(throws: ParseError.self) { try LoadAverage.parse(text) }
    }
}

struct NetDevTests {
    /// cAdvisor's ignored interface prefixes, matched without regard to ASCII case.
    @Test func ignoredInterfacesMatchTheirPrefixesInAnyCase() {
        for name in ["lo", "LO", "lo0", "veth1a2b", "VETH9", "docker0", "Docker_gwbridge", "nerdctl0", "NerdCtl1"] {
            #expect(PodNetwork.isIgnored(name), "\(name)")
        }
        for name in ["", "l", "eth0", "ens5", "vet", "cni0", "dock", "nerdct", "xlo", "flannel.1", "\u{212A}o"] {
            #expect(!PodNetwork.isIgnored(name), "\(name)")
        }
    }

    static let fixture = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
          eth0:45562666 31024 1 2 3 4 5 6 7 8 9 10 11 12 13 14
        veth9a8b7c6: 100 2 0 0 0 0 0 0 200 3 0 0 0 0 0 0

        """

    @Test func parsesEveryInterface() throws {
        let devices = try NetDev.parse(Self.fixture).devices
        #expect(devices.map(\.name) == ["lo", "eth0", "veth9a8b7c6"])
        #expect(devices[1].receive == [45_562_666, 31024, 1, 2, 3, 4, 5, 6])
        #expect(devices[1].transmit == [7, 8, 9, 10, 11, 12, 13, 14])
    }

    @Test func rejectsShortAndGarbageLines() throws {
        let header = "a|b\n c|d\n"
        #expect(throws: ParseError.self) { try NetDev.parse(header + "eth0: 1 2 3\n") }
        #expect(throws: ParseError.self) { try NetDev.parse(header + "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n") }
        #expect(throws: ParseError.self) { try NetDev.parse(header + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n") }
        #expect(throws: ParseError.self) { try NetDev.parse(header + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n") }
        #expect(throws: ParseError.self) { try NetDev.parse(header + "   : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n") }
        #expect(try NetDev.parse(header).devices.isEmpty)
    }
}

struct DiskStatsTests {
    @Test func acceptsEveryKernelLineLength() throws {
        let text = """
             254       0 vda 23831 4473 877522 11374 5882 8633 1490288 4309 0 8572 16458
             254       1 vda1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
             259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17

            """
        let devices = try DiskStats.parse(text).devices
        #expect(devices.map(\.name) == ["vda", "vda1", "nvme0n1"])
        #expect(devices.map(\.counters.count) == [11, 15, 17])
        #expect(devices[0][.weightedIOTimeMilliseconds] == 16458)
        #expect(devices[0][.discardsCompleted] == nil)
        #expect(devices[1][.discardTimeMilliseconds] == 15)
        #expect(devices[2][.flushTimeMilliseconds] == 17)
        #expect(devices[2].major == 259 && devices[2].minor == 0)
    }

    @Test(arguments: ["8 0 sda 1 2 3\n", "8 x sda 1 2 3 4 5 6 7 8 9 10 11\n", "8 0\n",
                      "8 0 sda 1 2 3 4 5 6 7 8 9 10 -11\n", "99999999999 0 sda 1 2 3 4 5 6 7 8 9 10 11\n"])
    func rejects(text: String) {
        #expect(throws: ParseError.self) { try DiskStats.parse(text) }
    }
}

struct MountInfoTests {
    @Test func parsesOptionalFieldsAndEscapes() throws {
        let text = """
            27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
            28 27 0:25 / /mnt/with\\040space\\011tab ro,nosuid master:3 propagate_from:2 - tmpfs tmp\\134fs ro,size=4k
            29 27 0:26 / /no/optional rw - proc proc rw

            """
        let mounts = try MountInfo.parse(text).mounts
        #expect(mounts.count == 3)
        #expect(mounts[0] == MountInfo.Mount(major: 254, minor: 0, mountPoint: "/", mountOptions: "rw,relatime",
                                             fsType: "ext4", source: "/dev/vda", superOptions: "rw,discard"))
        #expect(mounts[1].mountPoint == "/mnt/with space\ttab")
        #expect(mounts[1].source == "tmp\\fs")
        #expect(mounts[1].mountOptions == "ro,nosuid")
        #expect(mounts[2].fsType == "proc")
    }

    @Test func keepsMalformedEscapesVerbatim() {
        #expect(withBytes(of: "/a\\04") { MountInfo.unescapeOctal($0[...]) } == "/a\\04")
        #expect(withBytes(of: "/a\\999b") { MountInfo.unescapeOctal($0[...]) } == "/a\\999b")
        #expect(withBytes(of: "\\") { MountInfo.unescapeOctal($0[...]) } == "\\")
    }

    @Test(arguments: [
        "27 1 254:0 / / rw shared:1 ext4 /dev/vda rw\n",  // no separator
        "27 1 254:0 / /\n",                                 // truncated
        "27 1 254-0 / / rw - ext4 /dev/vda rw\n",           // bad device number
        "27 1 254:0 / / rw -\n",                            // nothing after the separator
    ])
    func rejects(text: String) {
        #expect(throws: ParseError.self) { try MountInfo.parse(text) }
    }

    @Test func invalidUTF8InPathsIsRepaired() throws {
        var bytes = Array("27 1 254:0 / /mnt/".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(" rw - ext4 /dev/vda rw\n".utf8)
        let mounts = try bytes.withUnsafeBufferPointer { try MountInfo.parse($0) }.mounts
        #expect(mounts[0].mountPoint == "/mnt/\u{FFFD}\u{FFFD}")
    }
}

struct PressureTests {
    @Test func parsesSomeAndFull() throws {
        let pressure = try Pressure.parse("""
            some avg10=0.12 avg60=1.00 avg300=0.00 total=7403991
            full avg10=0.00 avg60=0.00 avg300=0.00 total=6355106

            """)
        #expect(pressure.some == Pressure.Line(totalMicroseconds: 7_403_991))
        #expect(pressure.full?.totalMicroseconds == 6_355_106)
        let cpuOnly = try Pressure.parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n")
        #expect(cpuOnly.full == nil)
        // Tabs, repeated blanks, a blank line, keys in another order and no final newline.
        let loose = try Pressure.parse("\tsome  total=9 avg300=0.00\tavg60=0.00 avg10=0.00\n\n  \nfull avg10=1 avg60=2 avg300=3 total=18446744073709551615")
        #expect(loose.some?.totalMicroseconds == 9)
        #expect(loose.full?.totalMicroseconds == .max)
    }

    /// The kernel-layout pass gives what the general parser gives, on the kernel's
    /// layout and on near misses (which it leaves to the general parser).
    @Test func kernelLayoutAgreesWithTheGeneralParser() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["some avg10=0.00 avg60=0.00 avg300=0.00 total=0", "full avg10=100.00 avg60=9.99 avg300=0.01 total=18446744073709551615\n",
                     "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n",
                     "some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n\n", "some  avg10=0.00 avg60=0.00 avg300=0.00 total=5\n",
                     "some avg10=0.00 avg60=0.00 avg300=0.00 total=5 \n", "some avg10= avg60=0.00 avg300=0.00 total=5\n",
                     "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n", "full avg10=0.00 avg60=0.00 avg300=0.00 total=7x\n"]
        for _ in 0..<300 {
            let line = { (kind: String) in
                "\(kind) avg10=\(Int.random(in: 0...100, using: &generator)).\(Int.random(in: 10...99, using: &generator)) avg60=0.00 "
                    + "avg300=1.50 total=\(UInt64.random(in: 0...UInt64.max, using: &generator))\n"
            }
            texts.append(line("some") + (Bool.random(using: &generator) ? line("full") : ""))
        }
        for text in texts {
            let fast = withBytes(of: text) { Pressure.kernelLayout($0) }
            let general = try? withBytes(of: text) { try Pressure.parseFields($0, file: "t") }
            if let fast { #expect(fast == general, "\(text)") }
            #expect((try? Pressure.parse(text)) == general, "\(text)")
        }
        #expect(withBytes(of: texts[0]) { Pressure.kernelLayout($0) } != nil)
        #expect(withBytes(of: texts[9]) { Pressure.kernelLayout($0) } != nil)
    }

    @Test(arguments: ["", "some avg10=0.00\n", "some total=x avg10=0 avg60=0 avg300=0\n",
                      "half avg10=0 avg60=0 avg300=0 total=1\n", "some avg10 avg60=0 avg300=0 total=1\n",
                      "some avg10=0 avg60=0 avg300=0 total=18446744073709551616\n", "some avg10=0 avg60=0 avg10=0 avg300=0 total=1\n",
                      "some avg10=0 avg60=0 avg300=0\nfull avg10=0 avg60=0 avg300=0 total=1\n", "\n \n"])
    func rejects(text: String) {
        #expect(throws: ParseError.self) { try Pressure.parse(text) }
    }
}

/// The byte-level number and key scanners against the standard library's parsers.
struct ByteScanningTests {
    /// A slice equals a literal only byte for byte and length for length, wherever the
    /// slice starts in its buffer.
    @Test func equalsComparesEveryByteAndTheLength() {
        withBytes(of: "xxpgfault pgmajfault total= \n") { buffer in
            #expect(buffer[2..<9].equals("pgfault"))
            #expect(!buffer[2..<9].equals("pgfaulT"))
            #expect(!buffer[2..<9].equals("pgfaul"))
            #expect(!buffer[2..<10].equals("pgfault"))
            #expect(buffer[10..<20].equals("pgmajfault"))
            #expect(!buffer[10..<20].equals("xgmajfault"))
            #expect(buffer[21..<26].equals("total"))
            #expect(buffer[5..<5].equals(""))
            #expect(!buffer[5..<5].equals("a"))
        }
    }

    /// The fast decimal path must give exactly what `Double(String)` (strtod) gives.
    @Test func decimalsMatchTheStandardParser() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "0.00", "1.5", "99.99", "123456789012345", "1234567890.12345", "0.000000000000001",
                     "9007199254740993", "1234567890123456", "5.", ".5", "1e3", "-1.5", "+1", "1.2.3", "inf", "nan", "0x10", "12a"]
        for _ in 0..<5000 {
            let whole = UInt64.random(in: 0...999_999_999, using: &generator)
            let fraction = String(UInt64.random(in: 0...999_999, using: &generator))
            texts.append("\(whole).\(fraction)")
            texts.append("\(whole)")
        }
        for text in texts {
            let scanned = withBytes(of: text) { $0[...].double }
            #expect(scanned?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    /// A flat-keyed file: every `key value` line, the value as its bytes; a value that
    /// is not a decimal number reads as nil.
    @Test func keyedValuesSplitEveryLine() {
        let text = "anon 12\nfile\t34 extra\n\n  indented 5\nbad x1\nneg -3\nhuge 18446744073709551616\nmax 18446744073709551615\nkeyonly\nlast 7"
        var found: [String: UInt64?] = [:]
        withBytes(of: text) { buffer in KeyedValues.forEach(in: buffer) { found[$0.string] = .some($1.uint64) } }
        #expect(found == ["anon": 12, "file": 34, "indented": 5, "bad": nil, "neg": nil, "huge": nil, "max": .max, "last": 7])
    }

    /// With initials, lines whose key starts with another lowercase letter are stepped
    /// over whole (long ones too), and keys starting with anything else are kept.
    @Test func keyedValuesFilteredByInitials() {
        let text = "anon 1\nkernel_stack_with_a_long_name_past_eight_bytes 2\n  file\t3\nzswap 4 x\nInactive 5\n_x 6\npgfault 7\nslab 8"
        var found: [String] = []
        withBytes(of: text) { buffer in
            KeyedValues.forEach(in: buffer, initials: KeyedValues.Initials("afp")) { key, value in found.append(key.string + "=" + value.string) }
        }
        #expect(found == ["anon=1", "file=3", "Inactive=5", "_x=6", "pgfault=7"])
        var all: [String] = []
        withBytes(of: text) { buffer in KeyedValues.forEach(in: buffer) { key, _ in all.append(key.string) } }
        #expect(all.count == 8)
    }

    /// The eight-bytes-at-a-time field scan against a plain split, with keys and values
    /// of every length around the word size and separators at every position in a word.
    @Test func keyedValuesMatchAPlainSplit() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var text = String(repeating: " ", count: round % 9)
            var expected: [(String, String)] = []
            for line in 0..<(1 + round % 7) {
                let key = String(repeating: "k", count: 1 + Int.random(in: 0..<24, using: &generator)) + "\(line)"
                let value = String(Int.random(in: 0..<Int(Int32.max), using: &generator))
                let separator = ["\t", " ", "  ", " \t "][Int.random(in: 0..<4, using: &generator)]
                let trailing = ["", " more fields", "\tx"][Int.random(in: 0..<3, using: &generator)]
                text += key + separator + value + trailing + "\n"
                expected.append((key, value))
            }
            if round % 2 == 0 { text.removeLast() }
            var found: [(String, String)] = []
            withBytes(of: text) { buffer in KeyedValues.forEach(in: buffer) { found.append(($0.string, $1.string)) } }
            #expect(found.map(\.0) == expected.map(\.0), "\(text)")
            #expect(found.map(\.1) == expected.map(\.1), "\(text)")
        }
    }
}
