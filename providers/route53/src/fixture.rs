//! Where the shared suite runs Route 53: against the lab's moto_server (which serves no
//! DNS, so steps are checked through the API only).

use nsync_testkit::fixture::{Declared, Fixture, HttpApi, NEEDS_LAB, PROVIDER, Started};
use nsync_testkit::lab::Lab;

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "route53_on_moto",
        kind: "route53",
        needs: Some(NEEDS_LAB),
        zone: "r53.test.",
        any_octet_owners: true,
        http_api: Some(HttpApi {
            zone: "r53-faults.test.",
            // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
            zone_missing: (
                404,
                "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error><RequestId>x</RequestId></ErrorResponse>",
            ),
            create_missing: true,
            // ChangeResourceRecordSets batches, under its 1,000-record and 32,000-character limits, as the fault relay counts them.
            writes: 3,
        }),
        dns_faults: false,
        start,
    })]
}

fn start() -> Started {
    let lab = Lab::get();
    let moto = format!("{}:{}", lab.var("LAB_MOTO_IP"), lab.var("LAB_MOTO_PORT"));
    let api = moto.parse().expect("LAB_MOTO_IP:LAB_MOTO_PORT");
    Started::api(lab.route53_provider(PROVIDER), Some(api))
}
