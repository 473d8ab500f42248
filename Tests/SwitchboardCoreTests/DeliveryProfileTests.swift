import Testing
@testable import SwitchboardCore

/// A mapping file's `delivery` block: the format's signature scheme and headers.
@Suite("Delivery profiles of mapping files")
struct DeliveryProfileTests {
    private func compile(_ json: String) throws -> DeliveryProfile? {
        try DeliveryProfile.compile(try JSONReader.parse(Array(json.utf8)))
    }

    @Test func headersAreFilledPerDelivery() throws {
        let profile = try #require(try compile("""
            {"scheme": "callingbox", "headers": {"X-Id": "{{delivery.id}}", "X-Type": "{{delivery.type}}",
             "X-Call": "{{delivery.call_id}}", "X-Fixed": "yes"}}
            """))
        #expect(profile.scheme == "callingbox")
        #expect(profile.fields(deliveryID: "d1", eventType: "call.ringing", callID: "c1")
                == [HeaderField("X-Id", "d1"), HeaderField("X-Type", "call.ringing"), HeaderField("X-Call", "c1"),
                    HeaderField("X-Fixed", "yes")])
        #expect(try compile(#"{"scheme": "inkbox"}"#) == DeliveryProfile(scheme: "inkbox"))
        #expect(try DeliveryProfile.compile(nil) == nil)
    }

    @Test func mistakesNameTheKey() {
        for (json, location) in [(#"{"scheme": "header-token"}"#, "delivery.scheme"), (#"{}"#, "delivery.scheme"),
                                 (#"{"scheme": "inkbox", "extra": 1}"#, "delivery.extra"),
                                 (#"{"scheme": "inkbox", "headers": []}"#, "delivery.headers"),
                                 (#"{"scheme": "inkbox", "headers": {"Bad Name": "x"}}"#, "delivery.headers.Bad Name"),
                                 (#"{"scheme": "inkbox", "headers": {"X": "a\nb"}}"#, "delivery.headers.X"),
                                 (#"{"scheme": "inkbox", "headers": {"X": "{{delivery.secret}}"}}"#, "delivery.headers.X"),
                                 (#""callingbox""#, "delivery")] {
            #expect(throws: MappingCompileError.self, "\(json)") { try compile(json) }
            do {
                _ = try compile(json)
            } catch let error as MappingCompileError {
                #expect(error.location == location, "\(json): \(error)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
