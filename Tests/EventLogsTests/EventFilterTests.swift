@testable import EventLogs
import KubeWatch
import Testing

/// `logs_streaming`'s filters: what `admits` lets through, the part sent to the API
/// server as a field selector, and the fingerprint a checkpoint is tied to.
struct EventFilterTests {
    static func event(namespace: String = "default", type: String = "Normal", kind: String = "Pod",
                      reason: String = "Started") -> KubeEvent {
        var event = KubeEvent()
        event.metadata.namespace = namespace
        event.metadata.uid = "u"
        event.type = type
        event.involvedObject.kind = kind
        event.involvedObject.namespace = namespace
        event.reason = reason
        return event
    }

    @Test func anEmptyFilterAdmitsEverythingAndSelectsNothing() {
        let filter = EventFilter()
        #expect(filter.admits(Self.event()))
        #expect(filter.admits(KubeEvent()))
        #expect(filter.fieldSelector == nil)
    }

    @Test func excludedNamespaces() {
        let filter = EventFilter(excludedNamespaces: ["kube-system", "flux"])
        #expect(!filter.admits(Self.event(namespace: "kube-system")))
        #expect(!filter.admits(Self.event(namespace: "flux")))
        #expect(filter.admits(Self.event(namespace: "default")))
        // Exact names, not prefixes.
        #expect(filter.admits(Self.event(namespace: "kube-system-2")))
    }

    @Test func types() {
        let filter = EventFilter(types: ["Warning"])
        #expect(filter.admits(Self.event(type: "Warning")))
        #expect(!filter.admits(Self.event(type: "Normal")))
        #expect(!filter.admits(Self.event(type: "")))
        // As the API compares them: case matters.
        #expect(!filter.admits(Self.event(type: "warning")))
    }

    @Test func involvedKinds() {
        let filter = EventFilter(involvedKinds: ["Pod", "Node"])
        #expect(filter.admits(Self.event(kind: "Pod")))
        #expect(filter.admits(Self.event(kind: "Node")))
        #expect(!filter.admits(Self.event(kind: "Deployment")))
        #expect(!filter.admits(Self.event(kind: "")))
    }

    @Test func excludedReasons() {
        let filter = EventFilter(excludedReasons: ["Pulled", "Scheduled"])
        #expect(!filter.admits(Self.event(reason: "Pulled")))
        #expect(!filter.admits(Self.event(reason: "Scheduled")))
        #expect(filter.admits(Self.event(reason: "BackOff")))
    }

    @Test func everyConditionMustHold() {
        let filter = EventFilter(excludedNamespaces: ["kube-system"], types: ["Warning"], involvedKinds: ["Pod"],
                                 excludedReasons: ["BackOff"])
        #expect(filter.admits(Self.event(type: "Warning", kind: "Pod", reason: "Failed")))
        #expect(!filter.admits(Self.event(namespace: "kube-system", type: "Warning", kind: "Pod", reason: "Failed")))
        #expect(!filter.admits(Self.event(type: "Normal", kind: "Pod", reason: "Failed")))
        #expect(!filter.admits(Self.event(type: "Warning", kind: "Node", reason: "Failed")))
        #expect(!filter.admits(Self.event(type: "Warning", kind: "Pod", reason: "BackOff")))
    }

    @Test func oneTypeAndOneKindGoToTheFieldSelector() {
        #expect(EventFilter(types: ["Warning"]).fieldSelector == "type=Warning")
        #expect(EventFilter(involvedKinds: ["Pod"]).fieldSelector == "involvedObject.kind=Pod")
        #expect(EventFilter(excludedNamespaces: ["b", "a"], types: ["Warning"], involvedKinds: ["Pod"],
                            excludedReasons: ["Y", "X"]).fieldSelector
            == "metadata.namespace!=a,metadata.namespace!=b,type=Warning,involvedObject.kind=Pod,reason!=X,reason!=Y")
    }

    /// A field selector is a conjunction: two allowed types cannot be said in one, so
    /// they are left out of it (the server sends both, and more) and `admits` filters.
    @Test func twoTypesStayOutOfTheSelectorButAreStillFiltered() {
        let filter = EventFilter(types: ["Warning", "Normal"], involvedKinds: ["Pod", "Node"])
        #expect(filter.fieldSelector == nil)
        #expect(filter.admits(Self.event(type: "Warning", kind: "Node")))
        #expect(filter.admits(Self.event(type: "Normal", kind: "Pod")))
        #expect(!filter.admits(Self.event(type: "Error", kind: "Pod")))
        #expect(!filter.admits(Self.event(type: "Normal", kind: "Service")))

        let mixed = EventFilter(excludedNamespaces: ["kube-system"], types: ["Warning", "Normal"], involvedKinds: ["Pod"])
        #expect(mixed.fieldSelector == "metadata.namespace!=kube-system,involvedObject.kind=Pod")
    }

    @Test func selectorValuesAreEscaped() {
        #expect(EventFilter.escaped("plain") == "plain")
        #expect(EventFilter.escaped("a,b") == #"a\,b"#)
        #expect(EventFilter.escaped("a=b") == #"a\=b"#)
        #expect(EventFilter.escaped(#"a\b"#) == #"a\\b"#)
        #expect(EventFilter.escaped(#"\,=\"#) == #"\\\,\=\\"#)
        #expect(EventFilter(excludedReasons: ["a,b=c"]).fieldSelector == #"reason!=a\,b\=c"#)
        #expect(EventFilter(types: [#"we\ird"#]).fieldSelector == #"type=we\\ird"#)
        #expect(EventFilter(involvedKinds: ["K=V"]).fieldSelector == #"involvedObject.kind=K\=V"#)
        #expect(EventFilter(excludedNamespaces: ["x,y"]).fieldSelector == #"metadata.namespace!=x\,y"#)
    }

    @Test func theFingerprintIsStableUnderSetOrder() {
        let one = EventFilter(excludedNamespaces: ["b", "a", "c"], types: ["Warning", "Normal"], involvedKinds: ["Pod", "Node"],
                              excludedReasons: ["Y", "X"])
        var insertedOtherwise = EventFilter()
        for namespace in ["c", "a", "b"] { insertedOtherwise.excludedNamespaces.insert(namespace) }
        for type in ["Normal", "Warning"] { insertedOtherwise.types.insert(type) }
        for kind in ["Node", "Pod"] { insertedOtherwise.involvedKinds.insert(kind) }
        for reason in ["X", "Y"] { insertedOtherwise.excludedReasons.insert(reason) }
        #expect(one.fingerprint == insertedOtherwise.fingerprint)
        #expect(one.fingerprint == "a,b,c;Normal,Warning;Node,Pod;X,Y")
        #expect(EventFilter().fingerprint == ";;;")
    }

    /// A changed filter set must not resume an old checkpoint: moving a value from one
    /// filter to another, or adding one, changes the fingerprint.
    @Test func differentFiltersHaveDifferentFingerprints() {
        let filters = [
            EventFilter(),
            EventFilter(excludedNamespaces: ["x"]),
            EventFilter(types: ["x"]),
            EventFilter(involvedKinds: ["x"]),
            EventFilter(excludedReasons: ["x"]),
            EventFilter(types: ["x", "y"]),
            EventFilter(types: ["x"], involvedKinds: ["y"]),
        ]
        #expect(Set(filters.map(\.fingerprint)).count == filters.count)
    }

    /// Names are free text: a name holding the separators must not make two different
    /// filters look the same (one type "Normal,Warning", which matches nothing, against
    /// the two types Warning and Normal), or a checkpoint taken under one is resumed
    /// under the other.
    @Test func separatorsInNamesDoNotMakeDifferentFiltersLookTheSame() {
        #expect(EventFilter(types: ["Normal,Warning"]).fingerprint != EventFilter(types: ["Warning", "Normal"]).fingerprint)
        #expect(EventFilter(excludedNamespaces: ["a;b"]).fingerprint
            != EventFilter(excludedNamespaces: ["a"], types: ["b;"]).fingerprint)
    }
}
