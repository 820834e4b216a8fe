import EdgeConfig
import Testing

/// `cache.disk_max_objects`: the bound on the disk tier's index, derived from disk_size unless set.
@Suite struct DiskMaxObjectsConfigTests {
    let minimal = ConfigFixtures.minimal

    @Test func unsetMeansDerivedFromDiskSize() throws {
        let config = try ConfigLoader.parse(text: minimal, path: "edge.conf")
        #expect(config.nodes[0].cache.diskMaxObjects == nil)
    }

    @Test func setInDefaultsAndOverriddenPerNode() throws {
        let text = "[defaults.cache]\ndisk_max_objects = 5000\n" + minimal
            + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082", extra: "[nodes.cache]\ndisk_max_objects = 20\n")
        let config = try ConfigLoader.parse(text: text, path: "edge.conf")
        #expect(config.nodes[0].cache.diskMaxObjects == 5000)
        #expect(config.nodes[1].cache.diskMaxObjects == 20)
    }

    @Test func outOfRangeNamesFileLineAndKey() throws {
        let error = try #require(ConfigFixtures.error(minimal + "[nodes.cache]\ndisk_max_objects = 0\n"))
        #expect(error.description.hasPrefix("edge.conf:13:"), "\(error)")
        #expect(error.description.contains("disk_max_objects"), "\(error)")
        let text = try #require(ConfigFixtures.error(minimal + "[nodes.cache]\ndisk_max_objects = \"many\"\n"))
        #expect(text.description.contains("an integer from 1 to 1000000000"), "\(text)")
    }
}
