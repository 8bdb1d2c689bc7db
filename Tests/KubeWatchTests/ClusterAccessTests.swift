import Foundation
import HTTP2Transport
@testable import KubeWatch
import Testing
import TestSupport

/// Choosing and reading the cluster's address, TLS settings and credential, as
/// docs/kubewatch.md orders the sources and as kubectl reads kubeconfigs.
struct ClusterAccessTests {
    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: prod-cluster
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority: pki/ca.crt
            tls-server-name: kubernetes.default
        - name: lab
          cluster:
            server: https://[fd00::1]:443
            certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
        contexts:
        - name: prod
          context:
            cluster: prod-cluster
            user: agent
            namespace: monitoring
        - name: lab
          context:
            cluster: lab
            user: cert-user
        users:
        - name: agent
          user:
            tokenFile: tokens/agent
        - name: cert-user
          user:
            client-certificate-data: Y2VydA==
            client-key: /etc/keys/lab.key
        - name: plugin
          user:
            exec:
              command: aws

        """

    @Test func currentContextWithRelativeFilesAndATokenFile() throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let path = try directory.write("config", Self.kubeconfig)
        let access = try #require(try ClusterAccess.resolve(flag: path, configured: "", environment: [:]))
        #expect(access.endpoint == HTTP2Endpoint(secure: true, host: "10.0.0.1", port: 6443))
        #expect(access.tls == TLSConfiguration(certificateAuthority: .file(directory.path + "/pki/ca.crt"), serverName: "kubernetes.default"))
        #expect(access.credential == .tokenFile(directory.path + "/tokens/agent"))
        #expect(access.origin == .kubeconfig(path))
    }

    @Test func inlineDataAndIPv6() throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let path = try directory.write("config", Self.kubeconfig.replacingOccurrences(of: "current-context: prod", with: "current-context: lab"))
        let access = try #require(try ClusterAccess.resolve(flag: nil, configured: path, environment: [:]))
        #expect(access.endpoint == HTTP2Endpoint(secure: true, host: "fd00::1", port: 443))
        #expect(access.tls.certificateAuthority == .data(Array("-----BEGIN CERTIFICATE-----\n".utf8)))
        #expect(!access.tls.insecureSkipVerify)
        #expect(access.tls.certificate == .data(Array("cert".utf8)))
        #expect(access.tls.privateKey == .file("/etc/keys/lab.key"))
        #expect(access.credential == Credential.none)
    }

    @Test func kubeconfigListMergesFirstWins() throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let first = try directory.write("a", """
            current-context: mine
            contexts:
            - name: mine
              context: {cluster: c, user: u}
            users:
            - name: u
              user: {token: from-a}

            """)
        let second = try directory.write("b", Self.kubeconfig + """
            - name: u
              user: {token: from-b}

            """.replacingOccurrences(of: "users:\n", with: ""))
        let extra = try directory.write("c", """
            clusters:
            - name: c
              cluster: {server: "https://c.example:6443"}

            """)
        let access = try #require(try ClusterAccess.resolve(
            flag: nil, configured: "", environment: ["KUBECONFIG": "\(first):\(directory.path)/missing:\(second):\(extra)"]))
        #expect(access.endpoint.host == "c.example")
        #expect(access.credential == .token("from-a"))
    }

    @Test(arguments: [
        ("current-context: nope\ncontexts: []\n", "context \"nope\" is not defined"),
        ("clusters: []\n", "no current-context"),
        ("- just a list\n", "expected a mapping at the top"),
        ("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: p}\nclusters:\n- name: c\n  cluster: {server: \"https://h:1\"}\nusers:\n- name: p\n  user: {exec: {command: aws}}\n",
         "exec or auth-provider plugin"),
        ("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: \"ftp://h\"}\n",
         "the scheme must be http:// or https://"),
        ("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: \"https://h:1\"}\nusers:\n- name: u\n  user: {client-certificate: a.crt}\n",
         "without a key"),
        ("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: \"https://h:1\", certificate-authority-data: \"!!\"}\n",
         "certificate-authority-data is not base64"),
        // Found by FuzzKubeconfig (docs/fuzzing.md): Yams' constructor trapped on keys
        // that are not scalars, in block (`? key`) and flow form.
        ("current-context: x\nusers:\n- name: u\n  user:\n  ?  client-command: aws\n", "line 5, column 6: a mapping key that is not a scalar"),
        ("current-context: x\nclusters: {[a, b]: c}\n", "a mapping key that is not a scalar"),
        // Nine levels of ten aliases: 10^9 nodes once constructed.
        ("current-context: x\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + (1...9).map { "l\($0): &l\($0) [" + Array(repeating: "*l\($0 - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined(),
         "more than 100000 nodes"),
    ])
    func unusableKubeconfigsSayWhy(text: String, reason: String) throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let path = try directory.write("config", text)
        #expect {
            try ClusterAccess.resolve(flag: path, configured: "", environment: [:])
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains(path)
        }
    }

    /// Skipping verification needs no CA; naming one as well is refused, as kubectl
    /// refuses it, rather than silently not checking the server the CA was meant for.
    @Test(arguments: ["", "certificate-authority: ca.crt", "certificate-authority-data: Y2E="])
    func insecureSkipTLSVerifyWithACertificateAuthorityIsRefused(authority: String) throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let path = try directory.write("config", """
            current-context: x
            contexts:
            - name: x
              context: {cluster: c}
            clusters:
            - name: c
              cluster:
                server: https://h:6443
                insecure-skip-tls-verify: true
                \(authority)

            """)
        if authority.isEmpty {
            #expect(try ClusterAccess.resolve(flag: path, configured: "", environment: [:])?.tls.insecureSkipVerify == true)
            return
        }
        #expect {
            try ClusterAccess.resolve(flag: path, configured: "", environment: [:])
        } throws: { error in
            "\(error)" == "kubeconfig \(path): cluster \"c\": specifying a root certificates file with the insecure flag is not allowed"
        }
    }

    /// A kubeconfig holds credentials: whatever is wrong with it, the message names
    /// the file, the entry and the field, never a value.
    @Test(arguments: [
        // Broken YAML on the token's line (an unterminated quote, a stray colon, a tab).
        "users:\n- name: u\n  user:\n    token: \"SECRET-t0ken-9f8e\n",
        "users:\n- name: u\n  user:\n    token: SECRET-t0ken-9f8e: x\n",
        "users:\n- name: u\n  user:\n    token: SECRET-t0ken-9f8e\n\t  bad: indent\n",
        "users:\n- name: u\n  user:\n    token: [SECRET-t0ken-9f8e\n",
        // Inline key and certificate data that are not base64.
        "users:\n- name: u\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: SECRET-t0ken-9f8e!!\n",
        "users:\n- name: u\n  user:\n    client-certificate-data: SECRET-t0ken-9f8e!!\n    client-key-data: a2V5\n",
    ])
    func malformedKubeconfigsDoNotRepeatSecrets(users: String) throws {
        let directory = try TemporaryDirectory("kubeconfig")
        let path = try directory.write("config", """
            current-context: x
            contexts:
            - name: x
              context: {cluster: c, user: u}
            clusters:
            - name: c
              cluster: {server: "https://h:6443"}

            """ + users)
        #expect {
            try ClusterAccess.resolve(flag: path, configured: "", environment: [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && !text.contains("SECRET") && !text.contains("t0ken")
        }
    }

    @Test func orderFlagThenConfigThenEnvironmentThenInCluster() throws {
        let directory = try TemporaryDirectory("kubeconfig")
        func config(_ host: String) throws -> String {
            try directory.write(host, "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: \"https://\(host):6443\"}\n")
        }
        let flag = try config("flag"), configured = try config("configured"), environment = try config("environment")
        try directory.write("sa/token", "sa-token\n")
        try directory.write("sa/ca.crt", "pem\n")
        let inCluster = ["KUBERNETES_SERVICE_HOST": "fd00:10::1", "KUBERNETES_SERVICE_PORT": "443"]
        func host(_ flag: String?, _ configured: String, _ env: [String: String]) throws -> String? {
            try ClusterAccess.resolve(flag: flag, configured: configured, environment: env,
                                      serviceAccountDirectory: directory.path + "/sa")?.endpoint.host
        }
        let all = inCluster.merging(["KUBECONFIG": environment]) { $1 }
        #expect(try host(flag, configured, all) == "flag")
        #expect(try host(nil, configured, all) == "configured")
        #expect(try host(nil, "", all) == "environment")
        #expect(try host(nil, "", inCluster) == "fd00:10::1")
        #expect(try host(nil, "", [:]) == nil)

        let access = try #require(try ClusterAccess.resolve(flag: nil, configured: "", environment: inCluster,
                                                            serviceAccountDirectory: directory.path + "/sa"))
        #expect(access.credential == .tokenFile(directory.path + "/sa/token"))
        #expect(access.tls.certificateAuthority == .file(directory.path + "/sa/ca.crt"))
        #expect(access.origin == .inCluster)
        #expect(throws: ClusterAccess.Unusable.self) {
            try ClusterAccess.resolve(flag: nil, configured: "", environment: inCluster, serviceAccountDirectory: directory.path + "/none")
        }
    }

    @Test func tokenFileIsReReadWhenItChangesOrAfterA401() throws {
        let directory = try TemporaryDirectory("token")
        let path = try directory.write("token", "first\n")
        let token = BearerToken(credential: .tokenFile(path))
        #expect(try token.header() == "Bearer first")
        // A rotation replaces the file (the kubelet writes a new one and swaps a symlink).
        try "second-token\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try token.header() == "Bearer second-token")
        // Same size and, within the clock's granularity, possibly the same mtime: a 401
        // still forces the read.
        try "third--token\n".write(toFile: path, atomically: false, encoding: .utf8)
        token.invalidate()
        #expect(try token.header() == "Bearer third--token")
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: BearerToken.Unreadable.self) { try token.header() }
        #expect(try BearerToken(credential: .token("t")).header() == "Bearer t")
        #expect(try BearerToken(credential: .none).header() == nil)
    }
}

struct ListWatchRequestTests {
    @Test func listPagesAndWatchesOfPodsOnOneNode() {
        var request = ListWatchRequest(resource: .pods, mode: .list(limit: 500, continueToken: nil), fieldSelector: "spec.nodeName=node-1")
        #expect(request.target == "/api/v1/pods?limit=500&fieldSelector=spec.nodeName%3Dnode-1")
        #expect(request.accept == "application/json")
        request.mode = .list(limit: 500, continueToken: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==")
        #expect(request.target == "/api/v1/pods?limit=500&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ%3D%3D&fieldSelector=spec.nodeName%3Dnode-1")
        request.mode = .watch(resourceVersion: "123456", timeoutSeconds: 347)
        #expect(request.target == "/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=123456&timeoutSeconds=347&fieldSelector=spec.nodeName%3Dnode-1")
    }

    @Test func namespacedGroupResourcesAndMetadataOnly() {
        let deployments = APIResource(group: "apps", version: "v1", resource: "deployments", namespaced: true)
        let request = ListWatchRequest(resource: deployments, mode: .list(limit: 100, continueToken: nil), namespace: "shop",
                                       labelSelector: "app in (web,api),!canary")
        #expect(request.target == "/apis/apps/v1/namespaces/shop/deployments?limit=100&labelSelector=app%20in%20%28web%2Capi%29%2C%21canary")
        // Reduced views have no fallback to the whole object: a secret's data must never come.
        var configmaps = ListWatchRequest(resource: APIResource(group: "", version: "v1", resource: "configmaps", namespaced: true),
                                          mode: .list(limit: 500, continueToken: nil), view: .metadata)
        #expect(configmaps.accept == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
        configmaps.mode = .watch(resourceVersion: "1", timeoutSeconds: 300)
        #expect(configmaps.accept == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        let secrets = ListWatchRequest(resource: APIResource(group: "", version: "v1", resource: "secrets", namespaced: true),
                                       mode: .list(limit: 500, continueToken: nil), view: .table)
        #expect(secrets.accept == "application/json;as=Table;g=meta.k8s.io;v=v1")
        #expect(secrets.target == "/api/v1/secrets?limit=500&includeObject=Metadata")
        let nodes = APIResource(group: "", version: "v1", resource: "nodes", namespaced: false)
        #expect(nodes.path(namespace: "ignored") == "/api/v1/nodes")
    }
}

struct Base64Tests {
    @Test(arguments: [("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9v\nYmFy", "foobar")])
    func decodes(encoded: String, plain: String) throws {
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test(arguments: ["Zg=a", "Z", "Zm9v!", "Zg==="])
    func rejects(encoded: String) {
        #expect(throws: Base64.InvalidInput.self) { try Base64.decode(encoded) }
    }
}
