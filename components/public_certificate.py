"""An Amazon-issued ACM certificate, validated by DNS in a public hosted zone."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, merge_tags, on_path
from .errors import InputValidationError


class PublicCertificateArgs(TypedDict):
    """Inputs of :class:`PublicCertificate`."""

    domain_name: str
    """Name on the certificate, e.g. 'orders.example.com' or '*.example.com'."""
    public_zone_id: pulumi.Input[str]
    """Public hosted zone that proves ownership of the names (DNS validation)."""
    subject_alternative_names: NotRequired[list[str]]
    """Further names on the certificate."""
    tags: NotRequired[dict[str, str]]
    """Tags of the certificate."""
    dns_provider: NotRequired[aws.Provider]
    """AWS provider of the account that owns the public zone (a shared DNS account), when that is not the
    certificate's account: the validation records are written with it. An input of the schema, so every
    Pulumi language can pass it (TypeScript ``dnsProvider: dnsAccount``, YAML ``dnsProvider: ${dnsAccount}``)."""


class PublicCertificate(EgressComponent):
    """A publicly trusted certificate for the listener AgentCore reaches.

    AgentCore Gateway only trusts publicly signed certificates: a private-CA,
    self-signed or imported certificate fails the TLS handshake. This requests
    an Amazon-issued certificate, writes the DNS validation records in the
    public zone, and waits for issuance, so listeners that take
    :attr:`certificate_arn` are created only once the certificate is usable.

    Set ``dns_provider`` in the args when the public zone lives in another
    account, e.g. a shared DNS account.
    """

    TYPE = "agentcore-egress:index:PublicCertificate"

    certificate_arn: pulumi.Output[str]
    """ARN of the issued certificate."""
    domain_name: pulumi.Output[str]
    """Primary name on the certificate."""

    def __init__(
        self,
        name: str,
        args: PublicCertificateArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        names = _validate(name, args)
        dns_provider = args.get("dns_provider")
        super().__init__(name, opts)

        certificate = aws.acm.Certificate(
            self.child_name("cert"),
            domain_name=names[0],
            subject_alternative_names=names[1:] or None,
            validation_method="DNS",
            tags=merge_tags(name, on_path(self, args.get("tags"))),
            opts=self.child_options(),
        )
        records = []
        # A wildcard and its apex share one validation record: write it once.
        for domain in dict.fromkeys(n.removeprefix("*.") for n in names):
            option = certificate.domain_validation_options.apply(
                lambda options, domain=domain: next(o for o in options if o.domain_name.removeprefix("*.") == domain)
            )
            records.append(
                aws.route53.Record(
                    self.child_name(f"validation-{validation.slug(domain)}"),
                    zone_id=args["public_zone_id"],
                    name=option.resource_record_name,
                    type=option.resource_record_type,
                    records=[option.resource_record_value],
                    ttl=60,
                    allow_overwrite=True,
                    opts=self.child_options(provider=dns_provider) if dns_provider else self.child_options(),
                )
            )
        issued = aws.acm.CertificateValidation(
            self.child_name("validation"),
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            opts=self.child_options(),
        )
        self.certificate_arn = issued.certificate_arn
        self.domain_name = certificate.domain_name
        self.register_outputs({"certificate_arn": self.certificate_arn, "domain_name": self.domain_name})


def _validate(name: str, args: PublicCertificateArgs) -> list[str]:
    where = f"PublicCertificate '{name}'"
    names = [validation.domain_name(where, "domain_name", args.get("domain_name"), wildcard=True)]
    for index, alternative in enumerate(args.get("subject_alternative_names") or []):
        names.append(validation.domain_name(where, f"subject_alternative_names[{index}]", alternative, wildcard=True))
    if len(set(names)) != len(names):
        raise InputValidationError(where, "subject_alternative_names", names, "repeats a name", "list each name once")
    validation.require(where, args, "public_zone_id", "pass the id of the public hosted zone of the domain")
    return names
