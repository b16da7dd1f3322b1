import { graphql } from '../graphql';

/** The agreement desk's GraphQL documents (each far under the api's cost limit of 5,000). */

export const DESK_HOME = graphql(`
  query DeskHome($search: String) {
    viewer { id staffRoles scope }
    collectors { name }
    institutions(first: 100, search: $search) {
      edges { node { id name shortName kind status agreement { version } } }
    }
  }
`);

export const DESK_INSTITUTION = graphql(`
  query DeskInstitution($id: ID!) {
    viewer { id staffRoles scope }
    institution(id: $id) {
      id name shortName kind status siren siret collector
      sites { id name city main }
      contacts { id name email roles }
      agreementVersions {
        id version status bandwidthMbps services documentHash signedByName signedAt activatedAt activatedBy
      }
    }
    requests(institutionId: $id, kind: "membership.agreementChange", first: 10) {
      edges { node { id status currentStep pendingActor createdAt agreementVersion { version } } }
    }
  }
`);

export const CREATE_INSTITUTION = graphql(`
  mutation CreateInstitution($input: CreateInstitutionInput!) {
    createInstitution(input: $input) {
      __typename
      ... on CreateInstitutionPayload { institution { id } }
      ... on Error { code message }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const CREATE_CONTACT = graphql(`
  mutation CreateContact($input: CreateContactInput!) {
    createContact(input: $input) {
      __typename
      ... on Error { code message }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const AGREEMENT_CHANGE = graphql(`
  mutation DeskAgreementChange($input: RequestAgreementChangeInput!) {
    requestAgreementChange(input: $input) {
      __typename
      ... on Error { code message }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export const VALIDATE = graphql(`
  mutation DeskValidate($requestId: ID!, $step: String!) {
    approveRequestStep(input: { requestId: $requestId, step: $step }) {
      __typename
      ... on Error { code message }
      ... on ValidationError { issues { path message } }
    }
  }
`);

export interface Outcome {
  __typename: string;
  code?: string;
  message?: string;
  issues?: readonly { path: readonly string[]; message: string }[];
}

/** A ValidationError's issues by field path without the leading `input` ("mainSite.city"). */
export function fieldErrors(o: Outcome): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of o.issues ?? []) out[i.path.filter((p) => p !== 'input').join('.')] = i.message;
  return out;
}
