import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import { parseForm } from '../../web/forms.ts';
import { flash } from '../../web/flash.ts';
import type { StaffPrincipal } from '../auth/principal.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import {
  canApproveDevices,
  canRegisterDevices,
  canViewDevices,
  mayReachDeviceApproval,
} from './devices.policy.ts';
import {
  deviceTypeLabels,
  deviceTypes,
  registerDeviceForm,
  withdrawDeviceForm,
} from './devices.forms.ts';

const idParams = z.object({ id: z.uuid() });

export const deviceStatusTags: Record<string, { text: string; classes: string }> = {
  pending: { text: 'Waiting for approval', classes: 'govuk-tag--yellow' },
  approved: { text: 'Approved', classes: 'govuk-tag--green' },
  withdrawn: { text: 'Approval withdrawn', classes: 'govuk-tag--red' },
};

/** The device register: list, register (ICT Technician), approve and withdraw (approver). */
export async function deviceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const devices = services.devices;

  const renderList = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    errors?: FieldErrors,
  ): Promise<FastifyReply> => {
    const [list, approverRole, devicesRule] = await Promise.all([
      devices.list(principal.schoolId),
      devices.approverRole(principal.schoolId),
      devices.schoolDevicesRule(principal.schoolId),
    ]);
    return reply.page('devices/views/devices.njk', {
      title: 'School devices',
      devices: list,
      typeLabels: deviceTypeLabels,
      statusTags: deviceStatusTags,
      canRegister: canRegisterDevices(principal),
      canApprove: canApproveDevices(principal, approverRole),
      approverRole,
      devicesRule,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/devices', { config: { access: canViewDevices } }, async (request, reply) => {
    return renderList(reply, staffOf(request.principal));
  });

  const renderNew = (reply: FastifyReply, values: Record<string, unknown>, errors?: FieldErrors) =>
    reply.page('devices/views/new.njk', {
      title: 'Register a school device',
      values,
      typeItems: deviceTypes.map((t) => ({
        value: t,
        text: deviceTypeLabels[t],
        checked: values.deviceType === t,
      })),
      ...(errors ? { errors } : {}),
    });

  app.get('/devices/new', { config: { access: canRegisterDevices } }, async (_request, reply) =>
    renderNew(reply, {}),
  );

  app.post('/devices', { config: { access: canRegisterDevices } }, async (request, reply) => {
    const principal = staffOf(request.principal);
    const { schoolId } = principal;
    const actor = staffActor(principal);
    const form = parseForm(registerDeviceForm, request.body);
    if (!form.ok) return renderNew(reply.status(400), form.values, form.errors);
    try {
      const device = await devices.register(schoolId, actor, form.value);
      flash(
        reply,
        `${device.name} (${device.assetTag}) is registered. It can be used for photos once it is approved.`,
      );
      return reply.redirect('/devices', 303);
    } catch (e) {
      if (e instanceof ValidationError)
        return renderNew(reply.status(400), request.body as Record<string, unknown>, e.fieldErrors);
      throw e;
    }
  });

  const decision = (kind: 'approve' | 'withdraw') =>
    app.post(
      `/devices/:id/${kind}`,
      { config: { access: mayReachDeviceApproval } },
      async (request, reply) => {
        const principal = staffOf(request.principal);
        const params = idParams.safeParse(request.params);
        if (!params.success) throw new NotFoundError();
        // 404 unless this person is the profile's approver and the device is their school's.
        if (!(await devices.isApprover(principal))) throw new NotFoundError();
        const device = await devices.get(
          principal.kind === 'staff' ? principal.schoolId : '',
          params.data.id,
        );
        if (kind === 'withdraw') {
          const form = parseForm(withdrawDeviceForm, request.body);
          if (!form.ok)
            return renderList(reply.status(400), principal, {
              [`withdraw-${device.id}`]: form.errors.confirm ?? 'Confirm the withdrawal',
            });
        }
        try {
          if (kind === 'approve') await devices.approve(principal, device.id);
          else await devices.withdraw(principal, device.id);
        } catch (e) {
          if (e instanceof ConflictError)
            return renderList(reply.status(409), principal, { [`device-${device.id}`]: e.message });
          throw e;
        }
        flash(
          reply,
          kind === 'approve'
            ? `${device.name} is approved for taking photos and videos.`
            : `${device.name} is no longer approved. Anything uploaded from it now goes to quarantine.`,
        );
        return reply.redirect('/devices', 303);
      },
    );
  decision('approve');
  decision('withdraw');
}
